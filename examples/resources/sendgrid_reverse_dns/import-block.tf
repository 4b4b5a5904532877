# Terraform 1.5 and later: the ID is the record's id or its IP address.
import {
  to = sendgrid_reverse_dns.mail1
  id = "203.0.113.16"
}
