terraform {
  required_providers {
    sendgrid = {
      source = "terraform-sendgrid/sendgrid"
    }
  }
}

# Credentials are best left to the environment:
#   export SENDGRID_API_USER=apikey
#   export SENDGRID_API_KEY=SG.xxxxx
provider "sendgrid" {
  # Stay under SendGrid's v2 limit even when one run refreshes
  # hundreds of subusers.
  requests_per_minute = 600
  max_retries         = 5
  request_timeout     = "30s"
}
