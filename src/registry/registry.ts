import type { FailedAuthLimits } from './auth/auth-audit';
import { AuthService } from './auth/auth-service';
import type { Clock } from './clock';
import { AncestryService } from './service/ancestry-service';
import { BucketService } from './service/bucket-service';
import { BuildService } from './service/build-service';
import { applyDueRollbacks } from './service/channel-resolution';
import { ChannelService } from './service/channel-service';
import { ConsumerService } from './service/consumer-service';
import { EnforcedBlockService } from './service/enforced-block-service';
import { HoldService } from './service/hold-service';
import { ImportService } from './service/import-service';
import { ProjectRegistryService } from './service/project-registry-service';
import { ProjectService } from './service/project-service';
import { RegistryContext } from './service/context';
import { SbomService } from './service/sbom-service';
import { SearchService } from './service/search-service';
import { VersionService } from './service/version-service';
import type { Database } from './storage/database';

/** The registry's services over one database and one clock. */
export class Registry {
  readonly ctx: RegistryContext;
  readonly auth: AuthService;
  readonly buckets: BucketService;
  readonly versions: VersionService;
  readonly builds: BuildService;
  readonly channels: ChannelService;
  readonly ancestry: AncestryService;
  readonly search: SearchService;
  readonly consumers: ConsumerService;
  readonly holds: HoldService;
  readonly imports: ImportService;
  readonly projects: ProjectService;
  readonly registries: ProjectRegistryService;
  readonly enforcedBlocks: EnforcedBlockService;
  readonly sboms: SbomService;

  constructor(
    readonly db: Database,
    readonly clock: Clock,
    failedAuthLimits?: FailedAuthLimits,
  ) {
    this.ctx = new RegistryContext(db, clock);
    this.auth = new AuthService(db, clock, failedAuthLimits);
    this.buckets = new BucketService(this.ctx);
    this.versions = new VersionService(this.ctx);
    this.builds = new BuildService(this.ctx);
    this.channels = new ChannelService(this.ctx);
    this.ancestry = new AncestryService(this.ctx);
    this.search = new SearchService(this.ctx);
    this.consumers = new ConsumerService(this.ctx);
    this.holds = new HoldService(this.ctx, this.channels);
    this.imports = new ImportService(this.ctx, this.buckets);
    this.projects = new ProjectService(this.ctx, this.auth);
    this.registries = new ProjectRegistryService(this.ctx);
    this.enforcedBlocks = new EnforcedBlockService(this.ctx);
    this.sboms = new SbomService(this.ctx);
  }

  /** Records channel rollbacks of scheduled revocations that have taken effect. */
  applyDueRollbacks(): Promise<number> {
    return applyDueRollbacks(this.ctx);
  }
}
