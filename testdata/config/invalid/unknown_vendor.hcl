provider "alyun" {
}
