import { describe, expect, it, vi } from 'vitest';
import { later } from '../../../../extension/call/later.ts';

describe('later', () => {
  it('loads once, on the first ask, and hands the module over once it is here', async () => {
    const load = vi.fn(async () => 'module');
    const part = later(load);
    expect(load).not.toHaveBeenCalled();
    expect(part()).toBeUndefined();
    await vi.waitFor(() => expect(part()).toBe('module'));
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('tries again at the next ask after a load that failed, rather than stay without it for good', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const load = vi.fn<() => Promise<string>>().mockRejectedValueOnce(new TypeError('Failed to fetch')).mockResolvedValue('module');
    const part = later(load);
    expect(part()).toBeUndefined();
    await vi.waitFor(() => expect(console.error).toHaveBeenCalled());
    expect(part()).toBeUndefined(); // asked again: a second load starts
    await vi.waitFor(() => expect(part()).toBe('module'));
    expect(load).toHaveBeenCalledTimes(2);
    vi.restoreAllMocks();
  });
});
