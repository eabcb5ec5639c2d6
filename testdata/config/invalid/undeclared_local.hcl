provider "aliyun" {}

locals {
  zone = "example.com"
}

resource "cdn_domain" "a" {
  name = "a.${local.zome}"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
}
