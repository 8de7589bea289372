"""What speaks Amazon's formats: pure mappers and parsers (an Amazon dict, file or report row →
plain values), no ORM. Each flow's importer or exporter calls one of them."""
