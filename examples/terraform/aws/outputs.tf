# The ChainOps output contract: one object per node.
output "chainops_nodes" {
  description = "Nodes for the ChainOps inventory (see README, Provisioning with Terraform)."
  value = [
    for name, inst in aws_instance.node : {
      name         = name
      group        = var.group
      env          = var.env
      ssh_host     = var.public_ip ? inst.public_ip : inst.private_ip
      ssh_port     = 22
      ssh_user     = var.ssh_user
      ssh_host_key = trimspace(tls_private_key.host[name].public_key_openssh)
      rpc_url      = "http://${inst.private_ip}:${var.rpc_port}"
      shape = {
        cpu           = var.shape.cpu
        ram_gib       = var.shape.ram_gib
        disk_gib      = aws_ebs_volume.data[name].size
        instance_type = inst.instance_type
      }
    }
  ]
}
