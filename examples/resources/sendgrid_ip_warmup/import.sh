# The import ID is the IP address.
terraform import sendgrid_ip_warmup.new_ip 203.0.113.13
