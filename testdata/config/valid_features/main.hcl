provider "aliyun" {}

variable "tls_key" {
  type      = string
  sensitive = true
  default   = "-----BEGIN PRIVATE KEY-----\nMIIEv-not-a-real-key\n-----END PRIVATE KEY-----\n"
}

locals {
  cert = "-----BEGIN CERTIFICATE-----\nMIID-not-a-real-cert\n-----END CERTIFICATE-----\n"
}

resource "cdn_domain" "web" {
  name            = "www.example.com"
  origin_host     = "origin.example.com"
  origin_protocol = "follow"
  ipv6            = true

  origin {
    type    = "domain"
    address = "origin.example.com"
    port    = 443
  }

  cache_rule {
    match    = "extension"
    patterns = ["jpg", "png", "css"]
    ttl      = "7d"
  }

  cache_rule {
    match        = "directory"
    patterns     = ["/static/", "/"]
    ttl          = "60m"
    ignore_query = true
    priority     = 10
  }

  cache_rule {
    match          = "path"
    patterns       = ["/index.html"]
    ttl            = "0"
    honor_no_cache = true
  }

  cache_rule {
    match    = "regex"
    patterns = ["^/api/v[0-9]+/.*\\.json$"]
    ttl      = "30s"
  }

  referer {
    mode        = "allow"
    list        = ["*.example.com", "example.org", "192.0.2.7"]
    allow_empty = true
  }

  ip_filter {
    mode = "deny"
    list = ["192.0.2.0/24", "198.51.100.7", "2001:db8::/32"]
  }

  user_agent_filter {
    mode = "deny"
    list = ["BadBot/1.0", "curl*"]
  }

  response_header {
    name  = "X-Frame-Options"
    value = "DENY"
  }

  response_header {
    name  = "Cache-Control"
    value = "public, max-age=60"
  }

  origin_request_header {
    name  = "X-Forwarded-Proto"
    value = "https"
  }

  https {
    http2           = true
    force_redirect  = true
    min_tls_version = "1.2"

    certificate {
      public_pem  = local.cert
      private_pem = var.tls_key
    }
  }

  compression {
    content_types = ["text/html", "application/json"]
    min_size      = 1024
  }
}

resource "cdn_domain" "api" {
  name = "api.example.com"

  origin {
    type    = "ip"
    address = "192.0.2.10"
  }

  https {
    http2 = cdn_domain.web.https.http2

    certificate {
      id = "cert-1234"
    }
  }

  referer {
    mode = "allow"
    list = [cdn_domain.web.cname, "*.example.com"]
  }
}
