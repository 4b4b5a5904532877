# One new dedicated IP from purchase to full sending: reverse DNS, the A record
# in your DNS, validation, a pool, warmup and a subuser that sends from it.
# The guide "A New IP, From Purchase to Full Sending" walks through it.
terraform {
  required_providers {
    sendgrid = {
      source = "terraform-sendgrid/sendgrid"
    }
  }
}

provider "sendgrid" {}

variable "ip" {
  description = "The dedicated IP SendGrid added to the account after the purchase."
  type        = string
  default     = "203.0.113.15"
}

# 1. Reverse DNS: the IP will resolve back to oN.email.example.com.
resource "sendgrid_reverse_dns" "new_ip" {
  ip        = var.ip
  domain    = "example.com"
  subdomain = "email"
}

# 2. The A record, in your own DNS. Replace this stand-in with your DNS
#    provider's record resource, for example:
#      resource "aws_route53_record" "new_ip" {
#        zone_id = var.zone_id
#        name    = sendgrid_reverse_dns.new_ip.a_record.host
#        type    = sendgrid_reverse_dns.new_ip.a_record.type
#        ttl     = 300
#        records = [sendgrid_reverse_dns.new_ip.a_record.data]
#      }
resource "terraform_data" "a_record" {
  input = sendgrid_reverse_dns.new_ip.a_record
}

# 3. Validation waits until SendGrid finds the A record.
resource "sendgrid_reverse_dns_validation" "new_ip" {
  reverse_dns_id = sendgrid_reverse_dns.new_ip.id
  depends_on     = [terraform_data.a_record]
}

# 4. A pool for the IP; SendGrid takes only IPs with reverse DNS.
resource "sendgrid_ip_pool" "new_ip" {
  name       = "new-ip"
  ips        = [var.ip]
  depends_on = [sendgrid_reverse_dns_validation.new_ip]
}

# 5. Warmup: SendGrid raises the IP's hourly limit on its schedule.
resource "sendgrid_ip_warmup" "new_ip" {
  ip         = var.ip
  depends_on = [sendgrid_reverse_dns_validation.new_ip]
}

# 6. The subuser that sends from it (the exact set of its IPs).
resource "sendgrid_subuser_ips" "dave" {
  user       = "dave"
  ips        = [var.ip]
  depends_on = [sendgrid_ip_warmup.new_ip]
}

output "rdns" {
  value = sendgrid_reverse_dns_validation.new_ip.rdns
}
