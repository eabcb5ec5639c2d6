# Two Alibaba Cloud CDN domains on the embedded emulator: no account needed.
# Try: cdnform -chdir=examples/quickstart apply -auto-approve

variable "web_origin_ip" {
  type        = string
  default     = "192.0.2.10"
  description = "IP address of the web site's origin server"
}

provider "aliyun" {
  # "embedded" starts the built-in emulator of the Alibaba Cloud CDN API
  # in-process; its world is kept in state/emulator.json.
  endpoint = "embedded"
}

resource "cdn_domain" "web" {
  name     = "www.example.com"
  cdn_type = "web"

  origin {
    type    = "ip"
    address = var.web_origin_ip
    port    = 80
  }
}

resource "cdn_domain" "downloads" {
  name     = "dl.example.com"
  cdn_type = "download"

  origin {
    type    = "domain"
    address = "origin.example.net"
    port    = 443
  }
}
