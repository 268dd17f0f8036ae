# The ChainOps output contract: one object per node (see README, "Provisioning with Terraform").
output "chainops_nodes" {
  description = "Nodes for the ChainOps inventory."
  value = [
    for name, node in terraform_data.node : {
      name         = name
      group        = var.group
      env          = var.env
      ssh_host     = null
      ssh_port     = null
      ssh_user     = null
      ssh_host_key = null
      rpc_url      = "http://127.0.0.1:${node.output.port}"
      shape        = var.shape
    }
  ]
}
