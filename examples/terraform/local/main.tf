# Local ganache nodes, built only from terraform_data + local-exec, so it runs with no provider
# download. Each node is started detached with a pid file on create and stopped on destroy.
terraform {
  required_version = ">= 1.4"
}

locals {
  run_dir = var.run_dir != "" ? var.run_dir : abspath("${path.module}/.run")
  scripts = abspath("${path.module}/scripts")
  nodes = {
    for name in var.node_names : name => {
      name     = name
      port     = var.base_port + tonumber(regex("[0-9]+$", name))
      pid_file = "${local.run_dir}/${var.env}-${name}.pid"
      log_file = "${local.run_dir}/${var.env}-${name}.log"
    }
  }
}

resource "terraform_data" "node" {
  for_each = local.nodes

  input = {
    name       = each.value.name
    port       = each.value.port
    pid_file   = each.value.pid_file
    log_file   = each.value.log_file
    ganache    = abspath(var.ganache_bin)
    chain_id   = var.chain_id
    block_time = var.block_time
    stop       = "${local.scripts}/stop-node.mjs"
  }

  # No shell: node runs the script with the node's settings as one JSON argument.
  provisioner "local-exec" {
    interpreter = ["node", "${local.scripts}/start-node.mjs"]
    command     = jsonencode(self.input)
  }

  provisioner "local-exec" {
    when        = destroy
    interpreter = ["node", self.input.stop]
    command     = jsonencode(self.input)
  }
}
