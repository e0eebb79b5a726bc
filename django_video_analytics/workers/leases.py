"""Camera leases in Redis, so that worker processes on several hosts split the cameras.

A lease is a key holding the owner's token with a time-to-live: taken with ``SET NX PX``,
extended and released only by the token's owner (compare-and-act in Lua). When a worker
dies, its keys expire and another worker takes the cameras over. Workers also announce
themselves in a sorted set, so each knows how many share the cameras.
"""

import uuid

KEY_PREFIX = "video_analytics:lease:camera:"
WORKERS_KEY = "video_analytics:workers"

RENEW_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""

RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class CameraLeases:
    """The leases one worker process holds, under one random token."""

    def __init__(self, redis_client, ttl_seconds, token=None):
        self.redis = redis_client
        self.ttl_ms = int(ttl_seconds * 1000)
        self.token = token or uuid.uuid4().hex
        self.renew_script = redis_client.register_script(RENEW_SCRIPT)
        self.release_script = redis_client.register_script(RELEASE_SCRIPT)

    @staticmethod
    def key(camera_id):
        return f"{KEY_PREFIX}{camera_id}"

    def acquire(self, camera_id):
        """Take the lease if nobody holds it; True when this worker holds it now."""
        return bool(self.redis.set(self.key(camera_id), self.token, nx=True, px=self.ttl_ms))

    def renew(self, camera_id):
        """Extend a lease this worker holds; False when it was lost (expired or taken)."""
        return bool(self.renew_script(keys=[self.key(camera_id)], args=[self.token, self.ttl_ms]))

    def release(self, camera_id):
        """Give a lease back so another worker can take the camera at once."""
        return bool(self.release_script(keys=[self.key(camera_id)], args=[self.token]))

    def holders(self, camera_ids):
        """``{camera_id: token or None}``: who holds each camera's lease (one round trip)."""
        camera_ids = list(camera_ids)
        if not camera_ids:
            return {}
        values = self.redis.mget([self.key(camera_id) for camera_id in camera_ids])
        return {
            camera_id: value.decode() if isinstance(value, bytes) else value
            for camera_id, value in zip(camera_ids, values, strict=True)
        }

    def announce(self):
        """Mark this worker alive for one lease; return how many workers are alive."""
        seconds, microseconds = self.redis.time()  # one clock for every host
        now = seconds + microseconds / 1e6
        pipe = self.redis.pipeline(transaction=True)
        pipe.zadd(WORKERS_KEY, {self.token: now + self.ttl_ms / 1000})  # scored by expiry
        pipe.zremrangebyscore(WORKERS_KEY, "-inf", now)
        pipe.zcard(WORKERS_KEY)
        return pipe.execute()[-1]

    def retire(self):
        """Leave the set of live workers (a clean stop)."""
        self.redis.zrem(WORKERS_KEY, self.token)
