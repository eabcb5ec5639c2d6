# Multi-CDN: the same site on Alibaba Cloud CDN, Baishan Cloud CDN and CTG,
# from one vendor-neutral description (every vendor on the embedded
# emulator). DNS can then steer traffic between the three CNAMEs.
# Try: cdnform -chdir=examples/multi-cdn apply -auto-approve

variable "site" {
  type    = string
  default = "www.example.com"
}

variable "origin_ip" {
  type    = string
  default = "192.0.2.10"
}

provider "aliyun" {
  endpoint = "embedded"
}

provider "baishan" {
  endpoint = "embedded"
}

provider "ctg" {
  endpoint = "embedded"
}

locals {
  # Settings both vendors express; `cdnform providers` shows the full matrix.
  origin_host = "origin.example.net"
  allowed     = ["*.example.com", "example.com"]
}

resource "cdn_domain" "on_aliyun" {
  provider    = aliyun
  name        = var.site
  origin_host = local.origin_host

  origin {
    type    = "ip"
    address = var.origin_ip
  }

  cache_rule {
    match    = "extension"
    patterns = ["js", "css", "png"]
    ttl      = "30d"
  }

  cache_rule {
    match    = "directory"
    patterns = ["/api/"]
    ttl      = "0"
  }

  referer {
    mode        = "allow"
    list        = local.allowed
    allow_empty = true
  }

  response_header {
    name  = "X-Served-By"
    value = "aliyun"
  }

  https {
    http2          = true
    force_redirect = true

    certificate {
      id = "7001"
    }
  }
}

resource "cdn_domain" "on_baishan" {
  provider    = baishan
  name        = var.site
  origin_host = local.origin_host

  origin {
    type    = "ip"
    address = var.origin_ip
  }

  cache_rule {
    match    = "extension"
    patterns = ["js", "css", "png"]
    ttl      = "30d"
  }

  cache_rule {
    match    = "directory"
    patterns = ["/api/"]
    ttl      = "0"
  }

  referer {
    mode        = "allow"
    list        = local.allowed
    allow_empty = true
  }

  response_header {
    name  = "X-Served-By"
    value = "baishan"
  }

  https {
    http2          = true
    force_redirect = true

    certificate {
      id = "7001"
    }
  }
}

resource "cdn_domain" "on_ctg" {
  provider    = ctg
  name        = var.site
  origin_host = local.origin_host

  origin {
    type    = "ip"
    address = var.origin_ip
  }

  cache_rule {
    match    = "extension"
    patterns = ["js", "css", "png"]
    ttl      = "30d"
  }

  cache_rule {
    match    = "directory"
    patterns = ["/api/"]
    ttl      = "0"
  }

  referer {
    mode        = "allow"
    list        = local.allowed
    allow_empty = true
  }

  response_header {
    name  = "X-Served-By"
    value = "ctg"
  }

  https {
    http2          = true
    force_redirect = true

    certificate {
      id = "7001"
    }
  }
}
