// Choosing the ONNX Runtime execution provider: the GPU one where it can start, else the CPU.
import fs from 'node:fs';

export type ProviderName = 'cuda' | 'dml' | 'coreml' | 'webgpu' | 'cpu';
export type ProviderSetting = 'auto' | ProviderName;

export const PROVIDER_SETTINGS: readonly ProviderSetting[] = ['auto', 'cuda', 'dml', 'coreml', 'webgpu', 'cpu'];

export interface ProviderReport {
  requested: ProviderSetting;
  /** The provider the sessions run on. */
  used: ProviderName;
  /** Providers tried before it, each with why it could not start. */
  fallbacks: { provider: ProviderName; reason: string }[];
}

export interface Environment {
  platform: NodeJS.Platform;
  /** Backends onnxruntime-node reports, with whether their libraries ship in the package. */
  backends: { name: string; bundled: boolean }[];
  /** Whether a file exists (the CUDA provider library, GPU device nodes). */
  exists: (file: string) => boolean;
  /** Folder holding onnxruntime-node's native libraries. */
  ortBinDir: string;
}

export function defaultEnvironment(backends: { name: string; bundled: boolean }[], ortBinDir: string): Environment {
  return { platform: process.platform, backends, exists: (f) => fs.existsSync(f), ortBinDir };
}

function hasGpuDevice(env: Environment): boolean {
  return ['/dev/nvidia0', '/dev/dri/renderD128', '/dev/kfd'].some((f) => env.exists(f));
}

/**
 * The providers to try, best first, always ending with the CPU. 'auto' picks by platform:
 * CUDA (when its libraries were installed, see README) then WebGPU on Linux and Windows with a GPU,
 * DirectML on Windows, CoreML on macOS.
 */
export function providerCandidates(requested: ProviderSetting, env: Environment): ProviderName[] {
  if (requested !== 'auto') return requested === 'cpu' ? ['cpu'] : [requested, 'cpu'];
  const have = (name: string) => env.backends.some((b) => b.name === name);
  const out: ProviderName[] = [];
  const cudaInstalled =
    have('cuda') && (env.backends.find((b) => b.name === 'cuda')?.bundled || env.exists(`${env.ortBinDir}/libonnxruntime_providers_cuda.so`));
  if (env.platform === 'linux' && cudaInstalled) out.push('cuda');
  if (env.platform === 'win32') {
    if (cudaInstalled) out.push('cuda');
    out.push('dml');
  }
  if (env.platform === 'darwin') out.push('coreml');
  // WebGPU only where a GPU device exists: on a machine without one it would start on a software
  // adapter, slower than the CPU provider.
  if (have('webgpu') && env.platform === 'linux' && hasGpuDevice(env)) out.push('webgpu');
  out.push('cpu');
  return out;
}
