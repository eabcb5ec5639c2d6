provider "aliyun" {}

resource "cdn_domain" "a" {
  name = lowr("A.example.com")
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
}
