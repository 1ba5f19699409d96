/**
 * Every page of the console by path (deep links: a task's URL opens that task), loaded on
 * demand so the first page loads only its own code, and the side navigation.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { SideNavigationProps } from '@cloudscape-design/components/side-navigation';

const page = (load: () => Promise<{ default: ComponentType }>): LazyExoticComponent<ComponentType> => lazy(load);

export const routes: [string, LazyExoticComponent<ComponentType>][] = [
  ['/clusters', page(() => import('./pages/clusters.tsx'))],
  ['/clusters/create', page(() => import('./pages/cluster-create.tsx'))],
  ['/clusters/:cluster', page(() => import('./pages/cluster.tsx'))],
  ['/clusters/:cluster/create-service', page(() => import('./pages/service-form.tsx'))],
  ['/clusters/:cluster/services/:service', page(() => import('./pages/service.tsx'))],
  ['/clusters/:cluster/services/:service/update', page(() => import('./pages/service-form.tsx'))],
  ['/clusters/:cluster/tasks/:task', page(() => import('./pages/task.tsx'))],
  ['/task-definitions', page(() => import('./pages/task-definitions.tsx'))],
  ['/task-definitions/create', page(() => import('./pages/task-definition-editor.tsx'))],
  ['/task-definitions/:family', page(() => import('./pages/task-definition-family.tsx'))],
  ['/task-definitions/:family/:revision', page(() => import('./pages/task-definition.tsx'))],
  ['/task-definitions/:family/:revision/create-revision', page(() => import('./pages/task-definition-editor.tsx'))],
  ['/ecr/repositories', page(() => import('./pages/ecr-repositories.tsx'))],
  ['/ecr/repositories/:repository', page(() => import('./pages/ecr-repository.tsx'))],
  ['/ecr/repositories/:repository/images/:digest', page(() => import('./pages/ecr-image.tsx'))],
  ['/load-balancers', page(() => import('./pages/load-balancers.tsx'))],
  ['/load-balancers/:name', page(() => import('./pages/load-balancer.tsx'))],
  ['/target-groups', page(() => import('./pages/target-groups.tsx'))],
  ['/target-groups/:name', page(() => import('./pages/target-group.tsx'))],
  ['/cloudwatch/log-groups', page(() => import('./pages/log-groups.tsx'))],
  ['/cloudwatch/log-groups/:group', page(() => import('./pages/log-group.tsx'))],
  ['/cloudwatch/metrics', page(() => import('./pages/metrics.tsx'))],
  ['/cloudwatch/alarms', page(() => import('./pages/alarms.tsx'))],
  ['/eventbridge/rules', page(() => import('./pages/event-rules.tsx'))],
  ['/eventbridge/schedules', page(() => import('./pages/schedules.tsx'))],
  ['/iam/users', page(() => import('./pages/iam-users.tsx'))],
  ['/iam/roles', page(() => import('./pages/iam-roles.tsx'))],
  ['/iam/policies', page(() => import('./pages/iam-policies.tsx'))],
  ['/cloud-map/namespaces', page(() => import('./pages/namespaces.tsx'))],
  ['/cloud-map/namespaces/:namespace', page(() => import('./pages/namespace.tsx'))],
];

export const navigation: SideNavigationProps.Item[] = [
  { type: 'section', text: 'Elastic Container Service', items: [
    { type: 'link', text: 'Clusters', href: '/console/clusters' },
    { type: 'link', text: 'Task definitions', href: '/console/task-definitions' },
  ] },
  { type: 'section', text: 'Elastic Container Registry', items: [
    { type: 'link', text: 'Repositories', href: '/console/ecr/repositories' },
  ] },
  { type: 'section', text: 'Load balancing', items: [
    { type: 'link', text: 'Load balancers', href: '/console/load-balancers' },
    { type: 'link', text: 'Target groups', href: '/console/target-groups' },
  ] },
  { type: 'section', text: 'CloudWatch', items: [
    { type: 'link', text: 'Log groups', href: '/console/cloudwatch/log-groups' },
    { type: 'link', text: 'Metrics', href: '/console/cloudwatch/metrics' },
    { type: 'link', text: 'Alarms', href: '/console/cloudwatch/alarms' },
  ] },
  { type: 'section', text: 'EventBridge', items: [
    { type: 'link', text: 'Rules', href: '/console/eventbridge/rules' },
    { type: 'link', text: 'Schedules', href: '/console/eventbridge/schedules' },
  ] },
  { type: 'section', text: 'IAM', items: [
    { type: 'link', text: 'Users', href: '/console/iam/users' },
    { type: 'link', text: 'Roles', href: '/console/iam/roles' },
    { type: 'link', text: 'Policies', href: '/console/iam/policies' },
  ] },
  { type: 'section', text: 'Cloud Map', items: [
    { type: 'link', text: 'Namespaces', href: '/console/cloud-map/namespaces' },
  ] },
];
