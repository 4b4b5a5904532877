resource "sendgrid_reverse_dns" "mail3" {
  ip        = "203.0.113.18"
  domain    = "example.com"
  subdomain = "email"
}

# Publish sendgrid_reverse_dns.mail3.a_record with your DNS provider's record
# resource here, and list it in depends_on below (the guide "A New IP, From
# Purchase to Full Sending" shows Route 53 and Cloudflare).

# Waits until SendGrid finds the A record; destroying it sends nothing.
resource "sendgrid_reverse_dns_validation" "mail3" {
  reverse_dns_id = sendgrid_reverse_dns.mail3.id

  timeouts {
    create = "30m"
  }
}
