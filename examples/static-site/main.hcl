# A static web site on Alibaba Cloud CDN (embedded emulator): long cache for
# assets, no cache for HTML, hotlink protection, security headers, HTTPS.
# Try: cdnform -chdir=examples/static-site apply -auto-approve

variable "site" {
  type        = string
  default     = "static.example.com"
  description = "the accelerated host name"
}

variable "origin_bucket" {
  type    = string
  default = "assets-origin.example.net"
}

provider "aliyun" {
  endpoint = "embedded"
}

locals {
  security_headers = {
    "X-Frame-Options"        = "DENY"
    "X-Content-Type-Options" = "nosniff"
  }
}

resource "cdn_domain" "site" {
  name            = var.site
  cdn_type        = "web"
  origin_host     = var.origin_bucket
  origin_protocol = "https"
  ipv6            = true

  origin {
    type    = "domain"
    address = var.origin_bucket
    port    = 443
  }

  # Fingerprinted assets never change: cache them for a year.
  cache_rule {
    match    = "extension"
    patterns = ["js", "css", "woff2", "png", "jpg", "svg"]
    ttl      = "365d"
  }

  cache_rule {
    match    = "directory"
    patterns = ["/assets/"]
    ttl      = "30d"
  }

  # HTML must always be fresh.
  cache_rule {
    match    = "extension"
    patterns = ["html"]
    ttl      = "0"
  }

  referer {
    mode        = "allow"
    list        = ["*.example.com", "example.com"]
    allow_empty = true
  }

  ip_filter {
    mode = "deny"
    list = ["203.0.113.0/24"]
  }

  user_agent_filter {
    mode = "deny"
    list = ["BadBot*", "curl/7.1*"]
  }

  response_header {
    name  = "X-Frame-Options"
    value = local.security_headers["X-Frame-Options"]
  }

  response_header {
    name  = "X-Content-Type-Options"
    value = local.security_headers["X-Content-Type-Options"]
  }

  origin_request_header {
    name  = "X-From-CDN"
    value = "cdnform"
  }

  https {
    http2           = true
    force_redirect  = true
    min_tls_version = "1.2"

    certificate {
      id = "static-example-com-2026"
    }
  }

  compression {
    enabled = true
  }
}
