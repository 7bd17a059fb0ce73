namespace LeaderKv.Node.Configuration;

public enum NodeRole
{
    Follower,
    Leader,
}
