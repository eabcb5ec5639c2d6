provider "aliyun" {
  endpoint          = "EMULATOR_URL"
  access_key_id     = "testid"
  access_key_secret = "testsecret"
}

resource "cdn_domain" "web" {
  name = "www.example.com"

  origin {
    type    = "ip"
    address = "192.0.2.10"
  }
}

variable "pct" {
  default = 10
}

cdnform {
  max_destroy_percent = var.pct
}
