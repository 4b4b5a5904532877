# The import ID is the subuser's name.
terraform import sendgrid_subuser_ips.marketing marketing
