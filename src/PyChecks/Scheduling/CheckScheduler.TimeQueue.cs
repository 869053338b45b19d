namespace PyChecks.Scheduling;

/// <summary>The loop's queues ordered by time.</summary>
internal sealed partial class CheckScheduler
{
    /// <summary>
    /// Elements by time (clock ticks), earliest first; loop thread only. The loop takes due times and deadlines in clock
    /// order and adds each one an interval or a timeout later, and instances share a few intervals and timeouts, so most
    /// times arrive in order: those go to a first-in first-out queue, at constant cost, without moving thousands of heap
    /// slots at every run. A time earlier than the last queued one (a new instance, another interval or timeout, a
    /// skipped slot, a timeout restarted when its run got the GIL, the clock set back) goes to a heap. The earliest
    /// element is the earlier of the two heads.
    /// </summary>
    private sealed class TimeQueue<T>
    {
        private readonly Queue<(T Element, long Time)> _ordered = new();
        private readonly PriorityQueue<T, long> _others = new();
        private long _last;

        public void Enqueue(T element, long time)
        {
            if (_ordered.Count == 0 || time >= _last)
            {
                _ordered.Enqueue((element, time));
                _last = time;
            }
            else
            {
                _others.Enqueue(element, time);
            }
        }

        /// <summary>The earliest element and its time, if any.</summary>
        public bool TryPeek(out T element, out long time)
        {
            bool ordered = _ordered.TryPeek(out var head);
            if (_others.TryPeek(out var other, out long otherTime) && (!ordered || otherTime < head.Time))
            {
                (element, time) = (other, otherTime);
                return true;
            }

            (element, time) = head;
            return ordered;
        }

        /// <summary>Takes the earliest element if its time is at or before <paramref name="now"/>.</summary>
        public bool TryTakeDue(long now, out T element, out long time)
        {
            bool ordered = _ordered.TryPeek(out var head);
            if (_others.TryPeek(out var other, out long otherTime) && (!ordered || otherTime < head.Time))
            {
                if (otherTime > now)
                {
                    (element, time) = (default!, 0);
                    return false;
                }

                _others.Dequeue();
                (element, time) = (other, otherTime);
                return true;
            }

            if (!ordered || head.Time > now)
            {
                (element, time) = (default!, 0);
                return false;
            }

            _ordered.Dequeue();
            (element, time) = head;
            return true;
        }
    }
}
