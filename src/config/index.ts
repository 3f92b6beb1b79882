export type * from './fleet-config';
export { loadFleetConfig, stackConfig } from './load-fleet-config';
export {
  parseFleetConfig,
  FLEET_KEYS,
  REGISTRY_KEYS,
  type RawStackConfig,
} from './parse-fleet-config';
export { checkAwsRegionNetwork, checkGcpRegionNetwork } from './parse-network';
export { FleetConfigError, Problems } from './problems';
