# Terraform and OpenTofu 1.12 and later: import by resource identity, the IP
# address (the form `terraform query` lists).
import {
  to       = sendgrid_reverse_dns.mail2
  identity = { ip = "203.0.113.17" }
}
