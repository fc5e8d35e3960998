// Client-side checks that mirror the server's (src/core/validation.cc), so most mistakes are caught before
// sending. The server stays the authority: its Status causes are shown next to the same fields.
import type { MessageKey } from '../i18n';

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// Kubernetes resource quantities: 100m, 0.5, 128Mi, 1G, 1e3.
const quantity = /^([+-]?[0-9.]+)([eE][-+]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$/;
const envName = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
// An image reference: [registry[:port]/]path[:tag][@digest], no spaces, no upper case in the path.
const image = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

export function checkName(v: string, max = 63): MessageKey | null {
  if (!v) return 'validation.required';
  if (v.length > max) return 'validation.tooLong';
  if (!dns1123Label.test(v)) return 'validation.dnsLabel';
  return null;
}

export function checkSubdomain(v: string): MessageKey | null {
  if (!v) return 'validation.required';
  if (v.length > 253) return 'validation.tooLong';
  if (!dns1123Subdomain.test(v)) return 'validation.dnsSubdomain';
  return null;
}

export function checkQuantity(v: string): MessageKey | null {
  if (!v) return null;
  return quantity.test(v) && !/^[+-]?\.?$/.test(v.replace(/[^0-9.+-]/g, '')) ? null : 'validation.quantity';
}

export function checkEnvName(v: string): MessageKey | null {
  if (!v) return 'validation.required';
  return envName.test(v) ? null : 'validation.envName';
}

export function checkImage(v: string): MessageKey | null {
  if (!v.trim()) return 'validation.required';
  return image.test(v.trim()) ? null : 'validation.image';
}

export function checkPort(v: string): MessageKey | null {
  if (!/^\d+$/.test(v)) return 'validation.port';
  const n = Number(v);
  return n >= 1 && n <= 65535 ? null : 'validation.port';
}
