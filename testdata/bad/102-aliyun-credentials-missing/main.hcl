provider "aliyun" {
  endpoint = "EMULATOR_URL"
}

resource "cdn_domain" "web" {
  name = "www.example.com"

  origin {
    type    = "ip"
    address = "192.0.2.10"
  }
}
