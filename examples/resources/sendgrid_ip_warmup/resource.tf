# SendGrid limits the IP's hourly volume on its warmup schedule, then lifts
# the limits. Once the warmup has run its course it stays in state with
# status = "complete" and is never started again.
resource "sendgrid_ip_warmup" "new_ip" {
  ip = "203.0.113.13"
}

output "warming_since" {
  value = sendgrid_ip_warmup.new_ip.start_date
}
