/**
 * A slice of EC2's service model for the ec2Query codec's tests: three operations
 * (DescribeSecurityGroups, AuthorizeSecurityGroupIngress, DescribeKeyPairs) and the shapes they
 * reach, taken from botocore's EC2 model (2016-11-15) as data, enums left out. The codec's tests
 * drive the real client against this slice rather than the generated `src/aws/models/ec2.json`,
 * which holds only the operations Wharf serves (DescribeKeyPairs, with its timestamps, is not one).
 */
import type { ServiceModel } from '../model/types.ts';

/** EC2's operations and shapes, as far as the ec2Query tests use them. */
export const ec2TestModel: ServiceModel = {
  metadata: {"serviceId": "EC2", "apiVersion": "2016-11-15", "protocol": "ec2Query", "signingName": "ec2", "xmlNamespace": "http://ec2.amazonaws.com/doc/2016-11-15"},
  operations: {
    DescribeSecurityGroups: {"name": "DescribeSecurityGroups", "input": "DescribeSecurityGroupsRequest", "output": "DescribeSecurityGroupsResult"},
    AuthorizeSecurityGroupIngress: {"name": "AuthorizeSecurityGroupIngress", "input": "AuthorizeSecurityGroupIngressRequest", "output": "AuthorizeSecurityGroupIngressResult"},
    DescribeKeyPairs: {"name": "DescribeKeyPairs", "input": "DescribeKeyPairsRequest", "output": "DescribeKeyPairsResult"},
  },
  shapes: {
    AuthorizeSecurityGroupIngressRequest: {"type": "structure", "members": {"CidrIp": {"shape": "String"}, "FromPort": {"shape": "Integer"}, "GroupId": {"shape": "SecurityGroupId"}, "GroupName": {"shape": "SecurityGroupName"}, "IpPermissions": {"shape": "IpPermissionList"}, "IpProtocol": {"shape": "String"}, "SourceSecurityGroupName": {"shape": "String"}, "SourceSecurityGroupOwnerId": {"shape": "String"}, "ToPort": {"shape": "Integer"}, "DryRun": {"shape": "Boolean", "locationName": "dryRun"}, "TagSpecifications": {"shape": "TagSpecificationList", "locationName": "TagSpecification"}}},
    AuthorizeSecurityGroupIngressResult: {"type": "structure", "members": {"Return": {"shape": "Boolean", "locationName": "return"}, "SecurityGroupRules": {"shape": "SecurityGroupRuleList", "locationName": "securityGroupRuleSet"}}},
    Boolean: {"type": "boolean"},
    DescribeKeyPairsRequest: {"type": "structure", "members": {"Filters": {"shape": "FilterList", "locationName": "Filter"}, "KeyNames": {"shape": "KeyNameStringList", "locationName": "KeyName"}, "KeyPairIds": {"shape": "KeyPairIdStringList", "locationName": "KeyPairId"}, "DryRun": {"shape": "Boolean", "locationName": "dryRun"}, "IncludePublicKey": {"shape": "Boolean"}}},
    DescribeKeyPairsResult: {"type": "structure", "members": {"KeyPairs": {"shape": "KeyPairList", "locationName": "keySet"}}},
    DescribeSecurityGroupsMaxResults: {"type": "integer"},
    DescribeSecurityGroupsRequest: {"type": "structure", "members": {"Filters": {"shape": "FilterList", "locationName": "Filter"}, "GroupIds": {"shape": "GroupIdStringList", "locationName": "GroupId"}, "GroupNames": {"shape": "GroupNameStringList", "locationName": "GroupName"}, "DryRun": {"shape": "Boolean", "locationName": "dryRun"}, "NextToken": {"shape": "String"}, "MaxResults": {"shape": "DescribeSecurityGroupsMaxResults"}}},
    DescribeSecurityGroupsResult: {"type": "structure", "members": {"SecurityGroups": {"shape": "SecurityGroupList", "locationName": "securityGroupInfo"}, "NextToken": {"shape": "String", "locationName": "nextToken"}}},
    Filter: {"type": "structure", "members": {"Name": {"shape": "String"}, "Values": {"shape": "ValueStringList", "locationName": "Value"}}},
    FilterList: {"type": "list", "member": {"shape": "Filter", "locationName": "Filter"}},
    GroupIdStringList: {"type": "list", "member": {"shape": "SecurityGroupId", "locationName": "groupId"}},
    GroupNameStringList: {"type": "list", "member": {"shape": "SecurityGroupName", "locationName": "GroupName"}},
    Integer: {"type": "integer"},
    IpPermission: {"type": "structure", "members": {"FromPort": {"shape": "Integer", "locationName": "fromPort"}, "IpProtocol": {"shape": "String", "locationName": "ipProtocol"}, "IpRanges": {"shape": "IpRangeList", "locationName": "ipRanges"}, "Ipv6Ranges": {"shape": "Ipv6RangeList", "locationName": "ipv6Ranges"}, "PrefixListIds": {"shape": "PrefixListIdList", "locationName": "prefixListIds"}, "ToPort": {"shape": "Integer", "locationName": "toPort"}, "UserIdGroupPairs": {"shape": "UserIdGroupPairList", "locationName": "groups"}}},
    IpPermissionList: {"type": "list", "member": {"shape": "IpPermission", "locationName": "item"}},
    IpRange: {"type": "structure", "members": {"CidrIp": {"shape": "String", "locationName": "cidrIp"}, "Description": {"shape": "String", "locationName": "description"}}},
    IpRangeList: {"type": "list", "member": {"shape": "IpRange", "locationName": "item"}},
    Ipv6Range: {"type": "structure", "members": {"CidrIpv6": {"shape": "String", "locationName": "cidrIpv6"}, "Description": {"shape": "String", "locationName": "description"}}},
    Ipv6RangeList: {"type": "list", "member": {"shape": "Ipv6Range", "locationName": "item"}},
    KeyNameStringList: {"type": "list", "member": {"shape": "KeyPairName", "locationName": "KeyName"}},
    KeyPairId: {"type": "string"},
    KeyPairIdStringList: {"type": "list", "member": {"shape": "KeyPairId", "locationName": "KeyPairId"}},
    KeyPairInfo: {"type": "structure", "members": {"KeyPairId": {"shape": "String", "locationName": "keyPairId"}, "KeyFingerprint": {"shape": "String", "locationName": "keyFingerprint"}, "KeyName": {"shape": "String", "locationName": "keyName"}, "KeyType": {"shape": "KeyType", "locationName": "keyType"}, "Tags": {"shape": "TagList", "locationName": "tagSet"}, "PublicKey": {"shape": "String", "locationName": "publicKey"}, "CreateTime": {"shape": "MillisecondDateTime", "locationName": "createTime"}}},
    KeyPairList: {"type": "list", "member": {"shape": "KeyPairInfo", "locationName": "item"}},
    KeyPairName: {"type": "string"},
    KeyType: {"type": "string"},
    MillisecondDateTime: {"type": "timestamp"},
    PrefixListId: {"type": "structure", "members": {"Description": {"shape": "String", "locationName": "description"}, "PrefixListId": {"shape": "String", "locationName": "prefixListId"}}},
    PrefixListIdList: {"type": "list", "member": {"shape": "PrefixListId", "locationName": "item"}},
    PrefixListResourceId: {"type": "string"},
    ReferencedSecurityGroup: {"type": "structure", "members": {"GroupId": {"shape": "String", "locationName": "groupId"}, "PeeringStatus": {"shape": "String", "locationName": "peeringStatus"}, "UserId": {"shape": "String", "locationName": "userId"}, "VpcId": {"shape": "String", "locationName": "vpcId"}, "VpcPeeringConnectionId": {"shape": "String", "locationName": "vpcPeeringConnectionId"}}},
    ResourceType: {"type": "string"},
    SecurityGroup: {"type": "structure", "members": {"Description": {"shape": "String", "locationName": "groupDescription"}, "GroupName": {"shape": "String", "locationName": "groupName"}, "IpPermissions": {"shape": "IpPermissionList", "locationName": "ipPermissions"}, "OwnerId": {"shape": "String", "locationName": "ownerId"}, "GroupId": {"shape": "String", "locationName": "groupId"}, "IpPermissionsEgress": {"shape": "IpPermissionList", "locationName": "ipPermissionsEgress"}, "Tags": {"shape": "TagList", "locationName": "tagSet"}, "VpcId": {"shape": "String", "locationName": "vpcId"}}},
    SecurityGroupId: {"type": "string"},
    SecurityGroupList: {"type": "list", "member": {"shape": "SecurityGroup", "locationName": "item"}},
    SecurityGroupName: {"type": "string"},
    SecurityGroupRule: {"type": "structure", "members": {"SecurityGroupRuleId": {"shape": "SecurityGroupRuleId", "locationName": "securityGroupRuleId"}, "GroupId": {"shape": "SecurityGroupId", "locationName": "groupId"}, "GroupOwnerId": {"shape": "String", "locationName": "groupOwnerId"}, "IsEgress": {"shape": "Boolean", "locationName": "isEgress"}, "IpProtocol": {"shape": "String", "locationName": "ipProtocol"}, "FromPort": {"shape": "Integer", "locationName": "fromPort"}, "ToPort": {"shape": "Integer", "locationName": "toPort"}, "CidrIpv4": {"shape": "String", "locationName": "cidrIpv4"}, "CidrIpv6": {"shape": "String", "locationName": "cidrIpv6"}, "PrefixListId": {"shape": "PrefixListResourceId", "locationName": "prefixListId"}, "ReferencedGroupInfo": {"shape": "ReferencedSecurityGroup", "locationName": "referencedGroupInfo"}, "Description": {"shape": "String", "locationName": "description"}, "Tags": {"shape": "TagList", "locationName": "tagSet"}}},
    SecurityGroupRuleId: {"type": "string"},
    SecurityGroupRuleList: {"type": "list", "member": {"shape": "SecurityGroupRule", "locationName": "item"}},
    String: {"type": "string"},
    Tag: {"type": "structure", "members": {"Key": {"shape": "String", "locationName": "key"}, "Value": {"shape": "String", "locationName": "value"}}},
    TagList: {"type": "list", "member": {"shape": "Tag", "locationName": "item"}},
    TagSpecification: {"type": "structure", "members": {"ResourceType": {"shape": "ResourceType", "locationName": "resourceType"}, "Tags": {"shape": "TagList", "locationName": "Tag"}}},
    TagSpecificationList: {"type": "list", "member": {"shape": "TagSpecification", "locationName": "item"}},
    UserIdGroupPair: {"type": "structure", "members": {"Description": {"shape": "String", "locationName": "description"}, "GroupId": {"shape": "String", "locationName": "groupId"}, "GroupName": {"shape": "String", "locationName": "groupName"}, "PeeringStatus": {"shape": "String", "locationName": "peeringStatus"}, "UserId": {"shape": "String", "locationName": "userId"}, "VpcId": {"shape": "String", "locationName": "vpcId"}, "VpcPeeringConnectionId": {"shape": "String", "locationName": "vpcPeeringConnectionId"}}},
    UserIdGroupPairList: {"type": "list", "member": {"shape": "UserIdGroupPair", "locationName": "item"}},
    ValueStringList: {"type": "list", "member": {"shape": "String", "locationName": "item"}},
  },
};
