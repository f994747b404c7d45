package io.metrodb.logd;

import io.metrodb.log.LogResult;
import io.metrodb.protocol.StatusCodes;

/**
 * Maps the log store's result codes to wire status codes.
 */
final class LogdStatus
{
    private LogdStatus()
    {
    }

    static short of(final long result)
    {
        return switch ((int)result)
        {
            case LogResult.ENTRY_TOO_LARGE -> StatusCodes.ENTRY_TOO_LARGE;
            case LogResult.STORAGE_FULL -> StatusCodes.STORAGE_FULL;
            case LogResult.CLOSED -> StatusCodes.SHUTTING_DOWN;
            case LogResult.BACK_PRESSURED -> StatusCodes.OVERLOADED;
            case LogResult.BAD_OFFSET, LogResult.PAST_TAIL -> StatusCodes.OFFSET_OUT_OF_RANGE;
            case LogResult.NOT_A_RECORD -> StatusCodes.NOT_A_RECORD;
            case LogResult.CORRUPT -> StatusCodes.CORRUPT_RECORD;
            case LogResult.INVALID_ARGUMENT -> StatusCodes.BAD_REQUEST;
            default -> StatusCodes.STORAGE_ERROR;
        };
    }
}
