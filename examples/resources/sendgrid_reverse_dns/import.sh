# The import ID is the record's id, or the IP address it is for.
terraform import sendgrid_reverse_dns.mail1 203.0.113.16
terraform import sendgrid_reverse_dns.mail1 12
