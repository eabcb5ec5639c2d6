provider "aliyun" {}

variable "token" {
  type      = string
  sensitive = true
  default   = "t0ps3cret"
}

resource "cdn_domain" "a" {
  name = "${var.token}_x.example.com"
  origin {
    type    = "ip"
    address = tonumber(var.token)
  }
}
