# Reverse DNS for two new IPs: each resolves back to oN.email.example.com.
# a_record is the A record to publish in your DNS so SendGrid can validate it
# (see sendgrid_reverse_dns_validation).
resource "sendgrid_reverse_dns" "mail1" {
  ip        = "203.0.113.16"
  domain    = "example.com"
  subdomain = "email"
}

resource "sendgrid_reverse_dns" "mail2" {
  ip        = "203.0.113.17"
  domain    = "example.com"
  subdomain = "email"
}

output "a_records" {
  value = { for r in [sendgrid_reverse_dns.mail1, sendgrid_reverse_dns.mail2] : r.ip => r.a_record }
}
