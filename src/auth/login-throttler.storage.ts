import { Inject, Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from '../config/auth.config';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/**
 * Holds the login limiter's storage as a provider so Nest closes the Redis connection on
 * shutdown; `undefined` storage means the throttler's own in-memory one.
 */
@Injectable()
export class LoginThrottlerStorage implements OnModuleDestroy {
  readonly storage?: RedisThrottlerStorage;

  constructor(@Inject(authConfig.KEY) auth: ConfigType<typeof authConfig>) {
    this.storage = auth.redisUrl ? new RedisThrottlerStorage(auth.redisUrl) : undefined;
  }

  async onModuleDestroy(): Promise<void> {
    await this.storage?.close();
  }
}

@Module({ providers: [LoginThrottlerStorage], exports: [LoginThrottlerStorage] })
export class LoginThrottlerStorageModule {}
