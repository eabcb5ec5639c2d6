provider "aliyun" {
  endpoint          = "EMULATOR_URL"
  access_key_id     = "testid"
  access_key_secret = "testsecret"
}
variable "sites" {
  type      = map(string)
  default   = { eu = "eu.example.com" }
  sensitive = true
}

resource "cdn_domain" "site" {
  for_each = var.sites
  name = "${each.key}.example.com"

  origin {
    type    = "ip"
    address = "192.0.2.10"
  }
}
