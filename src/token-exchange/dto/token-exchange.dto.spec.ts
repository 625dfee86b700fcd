import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { TokenExchangeDto, toTokenTypeUrn } from './token-exchange.dto';

function validate(body: Record<string, unknown>) {
  const value = plainToInstance(TokenExchangeDto, body);
  const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true });
  return {
    value,
    fields: errors.map((e) => e.property),
    messages: errors.flatMap((e) => Object.values(e.constraints ?? {})),
  };
}

describe(TokenExchangeDto.name, () => {
  it('should accept an empty body (plain exchange of the caller token)', () => {
    expect(validate({}).fields).toEqual([]);
  });

  it('should turn a single audience into a list and keep a list as it is', () => {
    expect(validate({ audience: 'orders-api' }).value.audience).toEqual(['orders-api']);
    expect(validate({ audience: ['orders-api', 'billing'] }).value.audience).toEqual([
      'orders-api',
      'billing',
    ]);
  });

  it.each([
    'access_token',
    'refresh_token',
    'id_token',
    'urn:ietf:params:oauth:token-type:refresh_token',
  ])('should accept requested_token_type %s', (type) => {
    expect(validate({ requested_token_type: type }).fields).toEqual([]);
  });

  it('should accept an external token with its issuer and type', () => {
    const { fields } = validate({
      subject_token: 'eyJ.x.y',
      subject_issuer: 'partner',
      subject_token_type: 'jwt',
    });
    expect(fields).toEqual([]);
  });

  it.each<[Record<string, unknown>, string]>([
    [{ audience: [] }, 'audience'],
    [{ audience: ['orders api'] }, 'audience'],
    [{ audience: 42 }, 'audience'],
    [{ audience: Array.from({ length: 11 }, (_, i) => `c${i}`) }, 'audience'],
    [{ scope: 'openid  profile' }, 'scope'],
    [{ scope: 'x'.repeat(513) }, 'scope'],
    [{ requested_token_type: 'saml2' }, 'requested_token_type'],
    [{ requested_token_type: 'urn:ietf:params:oauth:token-type:saml2' }, 'requested_token_type'],
    [{ requested_subject: '' }, 'requested_subject'],
    [{ requested_subject: 'x'.repeat(256) }, 'requested_subject'],
    [{ subject_token: 'eyJ.x.y' }, 'subject_issuer'],
    [{ subject_issuer: 'partner' }, 'subject_token'],
    [{ subject_issuer: 'part ner', subject_token: 't' }, 'subject_issuer'],
    [
      { subject_issuer: 'partner', subject_token: 't', subject_token_type: 'saml' },
      'subject_token_type',
    ],
    [{ requested_issuer: 'https://evil' }, 'requested_issuer'],
    [{ client_secret: 'x' }, 'client_secret'],
  ])('should reject bad input #%# (field %s)', (body, field) => {
    expect(validate(body).fields).toEqual([field]);
  });

  it('should say which field goes with which', () => {
    expect(validate({ subject_token: 't' }).messages).toContain(
      'subject_issuer is required with subject_token',
    );
  });
});

describe(toTokenTypeUrn.name, () => {
  it('should expand short names and keep URNs', () => {
    expect(toTokenTypeUrn('refresh_token')).toBe('urn:ietf:params:oauth:token-type:refresh_token');
    expect(toTokenTypeUrn('urn:ietf:params:oauth:token-type:id_token')).toBe(
      'urn:ietf:params:oauth:token-type:id_token',
    );
  });
});
