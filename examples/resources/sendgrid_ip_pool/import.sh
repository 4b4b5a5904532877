# The import ID is the pool's name.
terraform import sendgrid_ip_pool.transactional transactional
