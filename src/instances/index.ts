/**
 * EC2 instances that Wharf provides: each a host (a Wharf agent with the instance type's
 * resources) that joins the ECS cluster its user data names. The EC2 adapter
 * (`services/ec2`) is its API; the instances controller starts and stops the hosts.
 */
export type { InstanceHostSpec, InstanceHostsPort } from './ports.ts';
