/**
 * An ECS service of bridge-mode tasks (dynamic host ports, instance targets) behind an
 * application load balancer on real containers: see test/support/alb-service.ts.
 */
import { DescribeSubnetsCommand } from '@aws-sdk/client-ec2';
import { albServiceSuite } from './support/alb-service.ts';

albServiceSuite({
  name: 'ecs-alb',
  networkMode: 'bridge',
  async prepare(ec2) {
    const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets!;
    return { subnets: subnets.slice(0, 2).map((s) => s.SubnetId!) };
  },
});
