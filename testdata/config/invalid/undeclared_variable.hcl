provider "aliyun" {}

variable "region" {
  default = "eu"
}

resource "cdn_domain" "a" {
  name = "${var.regoin}.example.com"
  origin {
    type    = "ip"
    address = "192.0.2.1"
  }
}
