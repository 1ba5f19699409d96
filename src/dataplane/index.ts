/**
 * The data planes beside the API that carry users' traffic, each reading the store and never
 * writing around it: today the Application Load Balancer's pure parts (rule conditions, target
 * health, target picks) that its proxy is built on.
 */
export { compileConditions, wildcard, type RequestPredicate, type RequestView } from './alb/conditions.ts';
export { observe, registered, statusMatcher, type CheckResult, type TargetHealthState, type Thresholds } from './alb/health.ts';
export { TargetPicker, pickWeighted, routable, type Algorithm, type RoutableTarget } from './alb/balance.ts';
