output "debtflow" {
  value = module.debtflow
}
