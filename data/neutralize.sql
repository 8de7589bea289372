-- a neutralized copy must never talk to the seller's real Amazon account
UPDATE amazon_seller_account
   SET lwa_app_id = NULL,
       lwa_client_secret = NULL,
       refresh_token = NULL,
       connection_tested = NULL,
       sync_enabled = FALSE;
