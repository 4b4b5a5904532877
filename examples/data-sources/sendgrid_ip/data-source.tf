# One IP as SendGrid describes it: is it ready to join a pool?
data "sendgrid_ip" "new" {
  ip = "203.0.113.14"
}

output "ready_for_a_pool" {
  value = data.sendgrid_ip.new.whitelabeled
}
