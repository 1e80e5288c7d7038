/**
 * The Electron app's secret store: the IMAP password sealed by `safeStorage` (Keychain on macOS, DPAPI on
 * Windows, the Secret Service or KWallet on Linux). Where the keychain cannot seal, or Linux falls back to its
 * `basic_text` backend (a constant key, no better than the file's permissions), the owner-only file of plain
 * Node is used. Call after the app is ready.
 */
import { safeStorage } from 'electron';
import { fileSecrets, sealedSecrets, type SecretStoreFactory } from '../secrets/secret-store';

export function keychainSecrets(): SecretStoreFactory {
  if (!safeStorage.isEncryptionAvailable()) return fileSecrets;
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text')
    return fileSecrets;
  return sealedSecrets({
    name: 'safeStorage',
    seal: (plain) => safeStorage.encryptString(plain),
    open: (sealed) => safeStorage.decryptString(sealed),
  });
}
