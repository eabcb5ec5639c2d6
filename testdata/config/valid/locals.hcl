locals {
  zone   = "example.com"
  prefix = "${var.env}-site"
}

locals {
  web_name = lower("${upper(local.prefix)}.${local.zone}")
  backup   = var.port == 80 ? 8080 : var.port + 1
}
