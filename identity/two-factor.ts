import { generateSecret, generateURI, verify } from 'otplib';
import type { Db } from '../platform/db';
import { ApiError } from '../platform/http/errors';
import { randomToken, tokenHash } from './secrets';
import type { User } from './users.store';

const RECOVERY_CODES = 10;
/** A code from the app is taken up to one 30-second step late or early (clock drift). */
const EPOCH_TOLERANCE_SECONDS = 30;

const isTotpCode = (code: string) => /^\d{6}$/.test(code);

/** The time step a valid TOTP code was made in (otplib's result type also covers HOTP, which has none). */
async function verifyTotp(secret: string, token: string, afterTimeStep?: number): Promise<number | undefined> {
  const result = await verify({ secret, token, epochTolerance: EPOCH_TOLERANCE_SECONDS, afterTimeStep });
  return result.valid && 'timeStep' in result ? result.timeStep : undefined;
}

/**
 * A4: two-factor sign-in with TOTP (RFC 6238, otplib) and single-use recovery codes. The secret
 * becomes active only when a first code shows the authenticator app has it; a code is never
 * taken twice (`totp_last_step`).
 */
export function createTwoFactor(db: Db) {
  /** A TOTP code not used before, or an unused recovery code; either is spent. */
  async function spend(user: User, code: string): Promise<boolean> {
    if (!user.totp_secret) return false;
    if (isTotpCode(code)) {
      const step = await verifyTotp(
        user.totp_secret,
        code,
        user.totp_last_step === null ? undefined : Number(user.totp_last_step),
      );
      if (step === undefined) return false;
      // One statement, so two sign-ins with the same code cannot both pass.
      const updated = await db('users')
        .where({ id: user.id })
        .where((q) => q.whereNull('totp_last_step').orWhere('totp_last_step', '<', step))
        .update({ totp_last_step: step });
      return updated === 1;
    }
    const used = await db('user_recovery_codes')
      .where({ user_id: user.id, code_hash: tokenHash(code.trim().toLowerCase()) })
      .whereNull('used_at')
      .update({ used_at: db.fn.now() });
    return used === 1;
  }

  return {
    /** Whether the user signs in with a second factor. */
    isOn: (user: User) => user.totp_enabled_at !== null,

    /**
     * The second step of a sign-in: 401 `two_factor_required` without a code, 401
     * `two_factor_invalid` with a wrong or used one.
     */
    async check(user: User, code: string | undefined): Promise<void> {
      if (!code)
        throw new ApiError(
          401,
          'two_factor_required',
          'Give the code from your authenticator app (or a recovery code)',
        );
      if (!(await spend(user, code)))
        throw new ApiError(401, 'two_factor_invalid', 'The code is wrong or was used already');
    },

    /** A new secret for the user's app; active once `enable` gets a code made from it. */
    async setup(user: User) {
      if (user.totp_enabled_at) throw new ApiError(409, 'two_factor_on', 'Two-factor sign-in is on already');
      const secret = generateSecret();
      await db('users').where({ id: user.id }).update({ totp_pending_secret: secret });
      return { secret, otpauthUri: generateURI({ issuer: 'Kartkontor', label: user.email, secret }) };
    },

    /** Turns two factors on with a first code; answers the recovery codes, shown this once. */
    async enable(user: User, code: string) {
      if (user.totp_enabled_at) throw new ApiError(409, 'two_factor_on', 'Two-factor sign-in is on already');
      if (!user.totp_pending_secret)
        throw new ApiError(409, 'two_factor_not_set_up', 'Ask for a secret first (two-factor setup)');
      const step = isTotpCode(code) ? await verifyTotp(user.totp_pending_secret, code) : undefined;
      if (step === undefined) throw new ApiError(422, 'two_factor_invalid', 'The code does not match the secret');
      const codes = Array.from({ length: RECOVERY_CODES }, () => randomToken(8).toLowerCase());
      await db.transaction(async (trx) => {
        await trx('users').where({ id: user.id }).update({
          totp_secret: user.totp_pending_secret,
          totp_pending_secret: null,
          totp_enabled_at: trx.fn.now(),
          totp_last_step: step,
        });
        await trx('user_recovery_codes').where({ user_id: user.id }).delete();
        await trx('user_recovery_codes').insert(codes.map((c) => ({ user_id: user.id, code_hash: tokenHash(c) })));
      });
      return { enabled: true, recoveryCodes: codes };
    },

    /** Turns two factors off; it takes a code, so a stolen password alone cannot. */
    async disable(user: User, code: string | undefined) {
      await this.check(user, code);
      await db.transaction(async (trx) => {
        await trx('users')
          .where({ id: user.id })
          .update({ totp_secret: null, totp_pending_secret: null, totp_enabled_at: null, totp_last_step: null });
        await trx('user_recovery_codes').where({ user_id: user.id }).delete();
      });
      return { enabled: false };
    },
  };
}

export type TwoFactor = ReturnType<typeof createTwoFactor>;
