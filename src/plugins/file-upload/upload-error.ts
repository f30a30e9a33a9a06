/**
 * Why a file could not be shared: the server has no upload service, the file is over its limit, the
 * service refused the slot, or the upload itself failed.
 *
 * @example
 * ```ts
 * if (error instanceof FileUploadError && error.reason === 'too-large') await msg.reply('That file is too big to share here.')
 * ```
 */
export type FileUploadFailure = 'no-service' | 'too-large' | 'refused' | 'upload-failed'

/**
 * A file `bot.sendFile()` could not share; `reason` says why, the message says it for a person.
 *
 * @example
 * ```ts
 * try { await bot.sendFile(to, 'report.pdf') } catch (error) { if (error instanceof FileUploadError) bot.log.warn(error.message) }
 * ```
 */
export class FileUploadError extends Error {
  override readonly name = 'FileUploadError'
  constructor(
    readonly reason: FileUploadFailure,
    message: string,
  ) {
    super(message)
  }
}
