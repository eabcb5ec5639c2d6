resource "cdn_domain" "web" {
  name    = local.web_name
  enabled = var.enabled

  origin {
    type    = "ip"
    address = var.origin_ips[0]
    port    = var.port
  }

  origin {
    type     = "domain"
    address  = "origin.${local.zone}"
    port     = "8080"
    priority = 30
    weight   = var.weights["backup"]
  }
}

resource "cdn_domain" "static" {
  provider   = aliyun.eu
  name       = format("static-%s.%s", var.env, local.zone)
  cdn_type   = "download"
  depends_on = [cdn_domain.api]

  origin {
    type    = "domain"
    address = cdn_domain.web.cname
  }

  origin {
    type    = "domain"
    address = "o.${cdn_domain.web.cname}"
    port    = local.backup
  }

  origin {
    type    = "domain"
    address = "${var.secret_host}.example.com"
  }
}

resource "cdn_domain" "api" {
  provider = aliyun
  name     = "api.${local.zone}"

  origin {
    type    = "ip"
    address = cdn_domain.web.origins[0].address
  }
}
