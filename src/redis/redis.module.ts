import { Module } from '@nestjs/common';
import { RedisConnection } from './redis-connection';

/** REDIS_URL's one connection; every module that stores in Redis imports this one. */
@Module({ providers: [RedisConnection], exports: [RedisConnection] })
export class RedisModule {}
