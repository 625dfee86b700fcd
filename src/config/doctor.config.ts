import { registerAs } from '@nestjs/config';
import { IsOptional, IsString, IsUrl } from 'class-validator';
import { EnvExample, validateEnv } from './env-validation';

export class DoctorEnv {
  // A real user lets doctor check what only a user token shows (refresh lifetime, exchange audiences).
  @EnvExample('alice')
  @IsOptional()
  @IsString()
  DOCTOR_USERNAME?: string;

  @EnvExample('alice-password')
  @IsOptional()
  @IsString()
  DOCTOR_PASSWORD?: string;

  // Keycloak checks the redirect URI before it says whether the standard flow is on.
  @EnvExample('http://localhost:3000/auth/callback')
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true }, { message: 'must be an absolute URL' })
  DOCTOR_REDIRECT_URI?: string;
}

export const doctorConfig = registerAs('doctor', () => {
  const env = validateEnv(DoctorEnv, process.env);
  return {
    redirectUri: env.DOCTOR_REDIRECT_URI ?? 'http://localhost:3000/auth/callback',
    user:
      env.DOCTOR_USERNAME && env.DOCTOR_PASSWORD
        ? { username: env.DOCTOR_USERNAME, password: env.DOCTOR_PASSWORD }
        : undefined,
  };
});
