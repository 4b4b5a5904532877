terraform {
  required_providers {
    sendgrid = {
      source = "terraform-sendgrid/sendgrid"
    }
  }
}

# SendGrid v3, with the key from the environment:
#   export SENDGRID_API_KEY=SG.xxxxx
# For the deprecated Web API v2: api_version = "v2" and api_user (or
# SENDGRID_API_USER), with the v2 password or key in SENDGRID_API_KEY.
provider "sendgrid" {
  # v3 is the default without api_user; naming it makes a stray
  # SENDGRID_API_USER an error instead of a switch to v2.
  api_version = "v3"
  # region = "eu" for an account on SendGrid's EU host.

  # Stay under SendGrid's limit even when one run refreshes hundreds of
  # subusers.
  requests_per_minute = 600
  max_retries         = 5
  request_timeout     = "30s"
}
